/** The Debian package files the catalogue's clips are cut from, as it expects to find them. */
import type { PackageFile, PackageVideo } from './clip-spec.js';

const OPENCV_DATA = 'usr/share/doc/opencv-doc/examples/data';
const SKIMAGE_DATA = 'usr/lib/python3/dist-packages/skimage/data';
const OPENCV_LICENCE = 'Apache-2.0 AND BSD-3-Clause (OpenCV sample data)';

/** People walking past a fixed camera. 795 frames at 10 fps. */
export const VTEST: PackageVideo = {
  package: 'opencv-doc',
  path: `${OPENCV_DATA}/vtest.avi`,
  width: 768,
  height: 576,
  frames: 795,
  fps: 10,
  licence: OPENCV_LICENCE,
};

/**
 * A tree in the wind (Cinepak). The AVI has 444 slots at 15 fps but marks
 * repeats as empty chunks, so ffmpeg decodes only its 68 distinct pictures;
 * clips take those, retimed to the file's nominal 15 fps (the capture itself
 * was about 2.3 pictures per second).
 */
export const TREE: PackageVideo = {
  package: 'opencv-doc',
  path: `${OPENCV_DATA}/tree.avi`,
  width: 320,
  height: 240,
  frames: 68,
  fps: 15,
  licence: OPENCV_LICENCE,
};

export const ASTRONAUT: PackageFile = {
  package: 'python3-skimage',
  path: `${SKIMAGE_DATA}/astronaut.png`,
  width: 512,
  height: 512,
  licence: 'public domain (NASA)',
};

export const COFFEE: PackageFile = {
  package: 'python3-skimage',
  path: `${SKIMAGE_DATA}/coffee.png`,
  width: 600,
  height: 400,
  licence: 'CC0 (Rachel Michetti)',
};

export const CHELSEA: PackageFile = {
  package: 'python3-skimage',
  path: `${SKIMAGE_DATA}/chelsea.png`,
  width: 451,
  height: 300,
  licence: 'CC0 (Stefan van der Walt)',
};

export const ROCKET: PackageFile = {
  package: 'python3-skimage',
  path: `${SKIMAGE_DATA}/rocket.jpg`,
  width: 640,
  height: 427,
  licence: 'public domain (SpaceX)',
};
