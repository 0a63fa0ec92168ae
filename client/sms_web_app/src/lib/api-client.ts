/**
 * The one way the app talks to the services: JSON over fetch, with a timeout, and every
 * failure turned into an ApiError that says, in plain words, what went wrong.
 */

export type FailureKind = 'unreachable' | 'timeout' | 'http' | 'invalid-response';

export class ApiError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly service: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface RequestOptions {
  service: string;
  timeoutMs: number;
  method?: 'GET' | 'POST';
  body?: unknown;
}

export async function requestJson<T>(url: string, options: RequestOptions): Promise<T> {
  const { service, timeoutMs, method = 'GET', body } = options;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (error) {
    if (controller.signal.aborted) {
      throw new ApiError('timeout', `The ${service} did not answer within ${timeoutMs / 1000} s.`, service);
    }
    throw new ApiError(
      'unreachable',
      `The ${service} cannot be reached. Is it running?`,
      service,
      undefined,
      error instanceof Error ? error.name : undefined,
    );
  } finally {
    clearTimeout(timer);
  }
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    throw new ApiError('invalid-response', `The ${service} sent a reply that is not JSON.`, service, response.status);
  }
  if (!response.ok) {
    const detail = (payload as { detail?: { code?: string; message?: string } } | null)?.detail;
    const message = detail?.message ?? `request failed with status ${response.status}`;
    throw new ApiError('http', `The ${service} said: ${message}`, service, response.status, detail?.code);
  }
  return payload as T;
}
