import { ptr } from './pointer.ts';

/** A zod issue path as a JSON Pointer (symbols cannot occur in JSON, so they are dropped). */
export function zodIssuePointer(path: ReadonlyArray<PropertyKey>): string {
  return ptr(...path.filter((p): p is string | number => typeof p !== 'symbol'));
}
