// Request ids: X-Request-Id taken from the client (or a proxy) when sane, else made; echoed, and on every log line of the request.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../../logger.js';

/** Ids we pass on: short, printable, no spaces (anything else is replaced, not trusted into logs). */
const SANE_ID = /^[A-Za-z0-9._:@\/+=-]{1,128}$/;

export interface RequestLogging {
  /** The app's logger: inside a request, calls go to that request's child logger (with req_id). */
  log: Logger;
  /** Sets the id, the header, the child logger; runs the rest of the request inside its scope. */
  middleware: RequestHandler;
}

export function requestLogging(base: Logger): RequestLogging {
  const scope = new AsyncLocalStorage<Logger>();
  // A proxy rather than a new logger per route: routes keep the ctx.log they were mounted with.
  const log = new Proxy(base, {
    get(target, prop) {
      const current = scope.getStore() ?? target;
      const value = Reflect.get(current, prop, current) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
  const middleware: RequestHandler = (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && SANE_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    res.locals.requestId = id;
    const child = base.child({ req_id: id });
    res.locals.log = child;
    scope.run(child, next);
  };
  return { log, middleware };
}
