import type { ServerResponse } from 'node:http';
import type { ApiError } from '@gantry/specs';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export function sendError(res: ServerResponse, status: number, error: ApiError): void {
  sendJson(res, status, error);
}
