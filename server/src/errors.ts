import type { ApiErrorBody, ErrorCode } from '@pairpad/shared';

/** An error with an HTTP status and a stable code from the catalogue in shared/src/errors.ts. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function toApiError(code: ErrorCode, message: string): ApiErrorBody {
  return { error: { code, message } };
}

export const roomNotFound = (): AppError => new AppError(404, 'room_not_found', 'no room with this id');
export const forbidden = (message: string): AppError => new AppError(403, 'forbidden', message);
