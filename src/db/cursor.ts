// Opaque cursors for keyset pagination over (created_at desc, id desc).
import { sql, type Expression, type SqlBool } from 'kysely';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  cursor?: string | null;
  /** 1…100; default 20. */
  limit?: number;
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('invalid pagination cursor: pass back the nextCursor of a previous page unchanged');
  }
}

interface CursorPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: { created_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const createdAt = new Date(parsed[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: parsed[1] };
    }
  } catch {
    // fall through: any malformed cursor is the same error to the caller
  }
  throw new InvalidCursorError();
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 20;
  return Math.min(100, Math.max(1, Math.floor(limit)));
}

/** The keyset condition "after this cursor" in (created_at desc, id desc) order. */
export function afterCursor(cursor: string): Expression<SqlBool> {
  const at = decodeCursor(cursor);
  return sql<SqlBool>`(created_at, id) < (${at.createdAt}::timestamptz, ${at.id}::text)`;
}

/** Rows were fetched with limit + 1: the extra row only says that another page exists. */
export function toPage<T extends { created_at: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
