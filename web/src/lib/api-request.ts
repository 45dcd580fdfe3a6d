import { isApiErrorBody } from '@pairpad/shared';
import { apiUrl } from '../config/env';
import { ApiError } from './api-error';

/**
 * One JSON call to the API: the contract's `{error:{code,message}}` becomes an ApiError with
 * its code, an unreachable server `network_error`, and an abort stays an AbortError.
 */
export async function apiRequest<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(apiUrl(path), {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'The server cannot be reached. Check your connection and try again.');
  }
  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    if (isApiErrorBody(data)) throw new ApiError(response.status, data.error.code, data.error.message);
    throw new ApiError(response.status, 'http_error', `The server answered ${response.status}.`);
  }
  return data as T;
}
