import { http, HttpResponse, delay } from 'msw';
import { describe, expect, it } from 'vitest';

import { server } from '../testing/server';
import { ApiError, requestJson } from './api-client';

const URL = 'http://service.test/thing';
const options = { service: 'test service', timeoutMs: 200 };

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected a failure');
}

describe('requestJson', () => {
  it('sends JSON and returns JSON', async () => {
    server.use(
      http.post(URL, async ({ request }) => HttpResponse.json({ echoed: await request.json() })),
    );
    await expect(requestJson(URL, { ...options, method: 'POST', body: { a: 1 } })).resolves.toEqual({
      echoed: { a: 1 },
    });
  });

  it('turns an error body into its message and code', async () => {
    server.use(
      http.get(URL, () =>
        HttpResponse.json({ detail: { code: 'text_too_long', message: 'too long' } }, { status: 422 }),
      ),
    );
    const error = await failure(requestJson(URL, options));
    expect(error.kind).toBe('http');
    expect(error.status).toBe(422);
    expect(error.code).toBe('text_too_long');
    expect(error.message).toBe('The test service said: too long');
  });

  it('says when a service cannot be reached', async () => {
    server.use(http.get(URL, () => HttpResponse.error()));
    const error = await failure(requestJson(URL, options));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain('Is it running?');
  });

  it('gives up after the timeout', async () => {
    server.use(
      http.get(URL, async () => {
        await delay(1000);
        return HttpResponse.json({});
      }),
    );
    const error = await failure(requestJson(URL, options));
    expect(error.kind).toBe('timeout');
  });

  it('refuses a reply that is not JSON', async () => {
    server.use(http.get(URL, () => new HttpResponse('<html>oops</html>', { status: 502 })));
    expect((await failure(requestJson(URL, options))).kind).toBe('invalid-response');
  });
});
