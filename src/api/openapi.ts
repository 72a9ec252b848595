// The OpenAPI 3.1 document, built from the operation list and its zod schemas, and a small HTML reference page.
import { z } from 'zod';
import { PROBLEM_BASE, PROBLEM_TYPES, problemSchema } from './problem.js';
import { operations, type Operation } from './operations.js';
import { webhookEventsOpenApi } from '../webhooks/events.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out.$schema;
  return out;
}

function parametersOf(op: Operation): Json[] {
  const list: Json[] = [];
  const add = (where: 'path' | 'query', obj: z.ZodObject | undefined) => {
    if (!obj) return;
    const js = schemaOf(obj, 'input');
    const props = (js.properties ?? {}) as Record<string, Json>;
    const required = new Set((js.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(props)) {
      const { description, ...rest } = schema;
      list.push({ name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(description ? { description } : {}) });
    }
  };
  add('path', op.params);
  add('query', op.query);
  if (op.idempotent) {
    list.push({
      name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 },
      description: 'Retry-safe: the same key with the same body replays the first response (header Idempotent-Replayed: true).',
    });
  }
  return list;
}

function requestBodyOf(op: Operation): Json | undefined {
  if (!op.body) return undefined;
  if (op.body.kind === 'json') return { required: true, content: { 'application/json': { schema: schemaOf(op.body.schema, 'input') } } };
  const js = schemaOf(op.body.schema, 'input');
  const properties = { [op.body.file]: { type: 'string', contentMediaType: 'application/octet-stream', description: 'The photo: JPEG, PNG, WebP or AVIF (type by content).' }, ...(js.properties as Json) };
  return {
    required: true,
    content: { 'multipart/form-data': { schema: { ...js, properties, required: [op.body.file, ...((js.required as string[]) ?? [])] } } },
  };
}

function responsesOf(op: Operation): Json {
  const out: Json = {};
  for (const [code, spec] of Object.entries(op.responses)) {
    const status = Number(code);
    let content: Json | undefined;
    if (spec.body === 'image') content = { 'image/*': { schema: { type: 'string', contentMediaType: 'image/*' } } };
    else if (spec.body === 'sse') content = { 'text/event-stream': { schema: { type: 'string' } } };
    else if (spec.body === 'html') content = { 'text/html': { schema: { type: 'string' } } };
    else if (spec.body && status >= 400) content = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
    else if (spec.body) content = { 'application/json': { schema: schemaOf(spec.body, 'output') } };
    out[code] = { description: spec.description, ...(content ? { content } : {}) };
  }
  return out;
}

export function buildOpenApiDocument(serverUrl: string): Json {
  const paths: Record<string, Json> = {};
  for (const op of Object.values(operations) as Operation[]) {
    const security = op.auth === null ? [] : op.auth === 'signed' ? [{ bearer: ['read'] }, { signedUrl: [] }] : [{ bearer: [op.auth] }];
    const params = parametersOf(op);
    const body = requestBodyOf(op);
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.id,
      summary: op.summary,
      tags: [op.tag],
      security,
      ...(params.length ? { parameters: params } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: responsesOf(op),
      ...(op.auth && op.auth !== 'signed' ? { 'x-scope': op.auth } : {}),
    };
  }
  const problem = schemaOf(problemSchema, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'tryon API',
      version: '1',
      description: `Garment virtual try-on. Errors are RFC 9457 problem+json; \`type\` is one of: ${Object.keys(PROBLEM_TYPES).map((t) => PROBLEM_BASE + t).join(', ')}.`,
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: serverUrl }],
    paths,
    // What the service sends to webhook endpoints (OpenAPI 3.1 `webhooks`), generated from the event schemas.
    webhooks: webhookEventsOpenApi(),
    components: {
      schemas: { Problem: problem },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key, `Authorization: Bearer tk_live_…`; scopes read, write, admin.' },
        signedUrl: { type: 'apiKey', in: 'query', name: 'sig', description: 'Signed file URLs (`exp` and `sig`) work without an API key until they expire.' },
      },
    },
  };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** A self-contained reference page (no CDN): one section per operation, from the document. */
export function renderDocsPage(doc: Json): string {
  const rows: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = ((op.parameters as Json[] | undefined) ?? []).map((p) => `<li><code>${esc(String(p.name))}</code> (${esc(String(p.in))}${p.required ? ', required' : ''})${p.description ? ` — ${esc(String(p.description))}` : ''}</li>`).join('');
      const body = op.requestBody ? `<details><summary>Request body</summary><pre>${esc(JSON.stringify(op.requestBody, null, 2))}</pre></details>` : '';
      const responses = Object.entries(op.responses as Record<string, Json>).map(([c, r]) => `<li><b>${c}</b> ${esc(String(r.description))}</li>`).join('');
      rows.push(`<section id="${esc(String(op.operationId))}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p>${esc(String(op.summary))}${op['x-scope'] ? ` <i>(scope: ${esc(String(op['x-scope']))})</i>` : ''}</p>${params ? `<ul>${params}</ul>` : ''}${body}<ul>${responses}</ul></section>`);
    }
  }
  const info = doc.info as Json;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(String(info.title))} reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}code,pre{font:13px ui-monospace,monospace}pre{background:#f6f6f6;padding:.5rem;overflow:auto}
section{border-top:1px solid #ddd;padding:.5rem 0}.m{display:inline-block;min-width:4rem;font-size:12px;color:#fff;border-radius:3px;text-align:center;padding:1px 4px}.get{background:#2b7}.post{background:#27b}.patch{background:#b72}.delete{background:#c33}</style></head>
<body><h1>${esc(String(info.title))} v${esc(String(info.version))}</h1><p>${esc(String(info.description))}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI ${esc(String(doc.openapi))}).</p>${rows.join('\n')}${webhookRows(doc)}</body></html>`;
}

/** The events webhook endpoints receive, listed after the operations (schemas in openapi.json). */
function webhookRows(doc: Json): string {
  const hooks = Object.entries((doc.webhooks ?? {}) as Record<string, { post: Json }>);
  if (hooks.length === 0) return '';
  const items = hooks.map(([type, h]) => `<li id="${esc(String(h.post.operationId))}"><code>${esc(type)}</code> — ${esc(String(h.post.summary))}</li>`).join('');
  return `<section><h2>Webhook events</h2><p>Signed POSTs (Standard Webhooks headers webhook-id, webhook-timestamp, webhook-signature) to your endpoints; payload schemas under <code>webhooks</code> in openapi.json.</p><ul>${items}</ul></section>`;
}
