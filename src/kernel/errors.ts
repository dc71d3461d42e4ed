/** Human wording for the errno codes a user meets when a service tree is wrong. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOEXEC: 'exec format error (no shebang line, or a binary for another architecture)',
  ELOOP: 'too many levels of symbolic links',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'out of memory',
};

export function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
