import { describe, expect, it } from 'vitest';

import { parseFfmpegProbe, parsePixelInfo } from '../../src/evaluation/ffmpeg-probe.js';

// Verbatim from `ffmpeg -hide_banner -i FILE` (4.1 static build and Debian's 5.1).
const AVI_4_1 = `Input #0, avi, from 'vtest.avi':
  Metadata:
    encoder         : Lavf58.24.100
  Duration: 00:00:79.50, start: 0.000000, bitrate: 1021 kb/s
    Stream #0:0: Video: mpeg4 (Simple Profile) (XVID / 0x44495658), yuv420p, 768x576 [SAR 1:1 DAR 4:3], 10 fps, 10 tbr, 10 tbn, 10 tbc
At least one output file must be specified`;

const MKV_5_1 = `Input #0, matroska,webm, from 't.mkv':
  Duration: 00:00:00.80, start: 0.000000, bitrate: 286 kb/s
  Stream #0:0: Video: ffv1 (FFV1 / 0x31564646), yuv420p, 160x120, SAR 1:1 DAR 4:3, 10 fps, 10 tbr, 1k tbn (default)
    Metadata:
      DURATION        : 00:00:00.800000000
At least one output file must be specified`;

const MP4_WITH_AUDIO = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 't.mp4':
  Duration: 00:00:00.32, start: 0.000000, bitrate: 227 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1 DAR 16:9], 4986 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 87 kb/s (default)`;

describe('parseFfmpegProbe', () => {
  it('reads size, rate and map from an old-style avi line', () => {
    expect(parseFfmpegProbe(AVI_4_1)).toEqual({
      ok: true,
      stream: {
        map: '0:0',
        width: 768,
        height: 576,
        fps: 10,
        codec: 'mpeg4',
        pixelFormat: 'yuv420p',
        colorRange: null,
        colorSpace: null,
      },
    });
  });

  it('ignores the hex codec tag and the tbn rate', () => {
    expect(parseFfmpegProbe(MKV_5_1)).toEqual({
      ok: true,
      stream: {
        map: '0:0',
        width: 160,
        height: 120,
        fps: 10,
        codec: 'ffv1',
        pixelFormat: 'yuv420p',
        colorRange: null,
        colorSpace: null,
      },
    });
  });

  it('reads the [id](lang) stream form and snaps 29.97 to 30000/1001', () => {
    const result = parseFfmpegProbe(MP4_WITH_AUDIO);
    expect(result).toEqual({
      ok: true,
      stream: {
        map: '0:0',
        width: 1920,
        height: 1080,
        fps: 30000 / 1001,
        codec: 'h264',
        pixelFormat: 'yuv420p',
        colorRange: 'tv',
        colorSpace: 'bt709',
      },
    });
  });

  it('keeps other fractional rates as printed', () => {
    const line = '  Stream #0:0: Video: rawvideo, yuv420p, 64x48, 12.5 fps, 12.5 tbr, 12.5 tbn';
    expect(parseFfmpegProbe(line)).toMatchObject({ ok: true, stream: { fps: 12.5 } });
  });

  it('falls back to tbr when there is no fps', () => {
    const line = '  Stream #0:0: Video: vp9, yuv420p(tv), 640x360, 1k tbr, 1k tbn';
    expect(parseFfmpegProbe(line)).toMatchObject({ ok: true, stream: { fps: 1000 } });
  });

  it('skips cover art and picks the first real video stream', () => {
    const text = `  Stream #0:0: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 600x600 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)
  Stream #0:1: Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s
  Stream #0:2(eng): Video: h264 (Main), yuv420p, 352x288, 25 fps, 25 tbr, 1200k tbn`;
    expect(parseFfmpegProbe(text)).toMatchObject({
      ok: true,
      stream: { map: '0:2', width: 352, height: 288 },
    });
  });

  it('says so when there is no video stream', () => {
    const text = `Input #0, wav, from 'a.wav':
  Stream #0:0: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 44100 Hz, 1 channels, s16, 705 kb/s`;
    expect(parseFfmpegProbe(text)).toEqual({ ok: false, reason: 'no_video_stream' });
    expect(parseFfmpegProbe('x.txt: Invalid data found when processing input')).toEqual({
      ok: false,
      reason: 'no_video_stream',
    });
  });

  it('reports a video line without a size or a rate', () => {
    expect(parseFfmpegProbe('  Stream #0:0: Video: none, 25 fps')).toMatchObject({
      ok: false,
      reason: 'no_size',
    });
    expect(parseFfmpegProbe('  Stream #0:0: Video: rawvideo, gray, 64x48')).toMatchObject({
      ok: false,
      reason: 'no_frame_rate',
      line: 'Stream #0:0: Video: rawvideo, gray, 64x48',
    });
  });
});

describe('parsePixelInfo', () => {
  it('reads the pixel format, range and colour space ffmpeg prints before the size', () => {
    // Verbatim detail parts of `ffmpeg -i` lines (4.1 static build).
    expect(
      parsePixelInfo(
        'rawvideo (Y3[11][10] / 0xA0B3359), yuv420p10le(progressive), 64x48, SAR 1:1 DAR 4:3, 30 fps',
      ),
    ).toEqual({ pixelFormat: 'yuv420p10le', colorRange: null, colorSpace: null });
    expect(
      parsePixelInfo(
        'ffv1 (FFV1 / 0x31564646), bgr0(pc, gbr/unknown/unknown, progressive), 128x96',
      ),
    ).toEqual({ pixelFormat: 'bgr0', colorRange: 'pc', colorSpace: 'gbr' });
    expect(
      parsePixelInfo('h264 (High), yuv420p(tv, bt470bg/bt470bg/smpte170m), 720x576, 25 fps'),
    ).toEqual({ pixelFormat: 'yuv420p', colorRange: 'tv', colorSpace: 'bt470bg' });
    expect(parsePixelInfo('mjpeg, yuvj420p(pc, unknown/bt709/bt709), 640x480')).toEqual({
      pixelFormat: 'yuvj420p',
      colorRange: 'pc',
      colorSpace: null,
    });
    expect(parsePixelInfo('rawvideo (I420 / 0x30323449), yuv420p, 64x48, 1105 kb/s')).toEqual({
      pixelFormat: 'yuv420p',
      colorRange: null,
      colorSpace: null,
    });
  });

  it('gives nulls when no pixel format is printed', () => {
    expect(parsePixelInfo('none, 25 fps')).toEqual({
      pixelFormat: null,
      colorRange: null,
      colorSpace: null,
    });
  });
});
