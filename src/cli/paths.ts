import { fileURLToPath } from 'node:url';

/** Files shipped with codec-lab; src/ and dist/ both sit one level below the package root. */
export const BUILTIN_CLIP = fileURLToPath(
  new URL('../../assets/builtin-vtest-128x96.mkv', import.meta.url),
);
