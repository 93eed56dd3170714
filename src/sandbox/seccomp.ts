import { readFileSync } from 'node:fs';
import { SANDBOX_IMAGE_DIR } from '../contract.js';

/**
 * The seccomp profile every sandbox container runs under, pinned in the repository
 * (sandbox-image/seccomp.json) rather than left to whatever the Docker daemon defaults to:
 * an allow-list (everything else fails with EPERM) that leaves out ptrace, process_vm_*,
 * flock, unshare/setns/mount, bpf, perf_event_open, userfaultfd, io_uring, keyctl and the
 * namespace flags of clone; clone3 answers ENOSYS so glibc falls back to clone.
 * Returned as the compact JSON text Docker's `seccomp=` security option takes.
 *
 * It relies on `no-new-privileges` (hardening.ts sets both): only then does runc install the
 * filter after switching to the sandbox user, whose setgroups/setuid this profile refuses;
 * without it the container cannot start.
 */
export function loadSeccompProfile(): string {
  const text = readFileSync(new URL('seccomp.json', SANDBOX_IMAGE_DIR), 'utf8');
  const profile = JSON.parse(text) as { defaultAction?: unknown; syscalls?: unknown };
  if (profile.defaultAction !== 'SCMP_ACT_ERRNO' || !Array.isArray(profile.syscalls)) {
    throw new Error(
      'sandbox-image/seccomp.json must be an allow-list (defaultAction SCMP_ACT_ERRNO)',
    );
  }
  return JSON.stringify(profile);
}
