// Random, prefixed record ids (`gar_…`, `ren_…`) and secrets, drawn from crypto.randomBytes.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const ID_PREFIXES = {
  tenant: 'ten',
  apiKey: 'key',
  garment: 'gar',
  model: 'mod',
  batch: 'bat',
  render: 'ren',
  webhookEndpoint: 'whe',
  webhookDelivery: 'whd',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** `length` base62 characters; bytes ≥ 248 are dropped so every character is equally likely. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length + 8)) {
      if (b < 248) out += ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** 20 base62 characters ≈ 119 bits: collisions are not a practical concern. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomBase62(20)}`;
}
