import { describe, expect, it } from 'vitest';

import { prepareClipSets } from '../../src/clips/prepare.js';
import type { PackageSource } from '../../src/clips/sources.js';

const unused: PackageSource = {
  fileOf: () => Promise.reject(new Error('no package is needed to refuse a relative outDir')),
};

// Issue 19: ffmpeg builds each clip in its set's folder, so a relative output path meant one
// place to codec-lab and another to ffmpeg. The config resolves user paths; this is the guard.
describe('prepareClipSets', () => {
  it('refuses a relative outDir before touching anything', async () => {
    await expect(prepareClipSets({ outDir: '.data/clips', source: unused })).rejects.toThrow(
      'prepareClipSets needs an absolute outDir, not .data/clips',
    );
  });
});
