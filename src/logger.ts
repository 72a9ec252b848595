// Structured logging: one pino root logger; children carry { tenant, batch, render, job, stage }.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination = 2): Logger {
  // Logs go to stderr so that CLI commands can print JSON results on stdout.
  return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: destination, sync: true }));
}
