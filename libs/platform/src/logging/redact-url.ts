/** `postgres://app:s3cret@db:5432/pool` → `postgres://app:***@db:5432/pool`, for log lines. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/g, '//$1:***@');
}
