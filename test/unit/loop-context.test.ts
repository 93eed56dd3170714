import { describe, expect, it } from 'vitest';
import type { AnchorTable } from '../../src/anchors/anchors.js';
import { attemptSummary, rdTable } from '../../src/loop/context.js';
import { codeSha256, type StoredAttempt } from '../../src/store/store.js';
import {
  QUALITIES,
  anchorTable,
  clip,
  clipResult,
  codec,
  metricsFor,
  usage,
} from './loop-fakes.js';
import { TUNED } from './store-contract-early.js';

function stored(overrides: Partial<StoredAttempt>): StoredAttempt {
  const code = overrides.code ?? codec('plain');
  return {
    origin: 'run',
    settings: null,
    code,
    codeSha256: codeSha256(code),
    behaviourSha256: null,
    duplicateOf: null,
    params: null,
    tuning: null,
    member: null,
    screening: null,
    parentId: null,
    generator: 'fake',
    model: 'fake-model-1',
    prompt: null,
    rawResponse: '',
    generationFailure: null,
    stage: 'done',
    category: null,
    failureMessage: null,
    failureCause: null,
    traceback: null,
    failureLine: null,
    findings: [],
    log: '',
    imageId: null,
    metrics: null,
    assessment: null,
    decision: null,
    usage: usage(0),
    timings: { generationMs: 0, evaluationMs: 0 },
    createdAtMs: 1,
    id: '17',
    ok: true,
    version: null,
    ...overrides,
  };
}

const noComparison = { mean_pct: null, median_pct: null, per_clip: [] };

describe('attemptSummary', () => {
  it("carries a tuned attempt's params, defaults, proxy BD-rates and cost", () => {
    const summary = attemptSummary(stored({ params: TUNED.params, tuning: TUNED }));
    expect(summary.tuning).toEqual({
      params: TUNED.params,
      defaults: TUNED.defaults,
      defaultBdRatePct: 12.5,
      tunedBdRatePct: -3,
      evaluations: 12,
      wallMs: 4200,
    });
    expect(attemptSummary(stored({})).tuning).toBeUndefined();
  });

  it('summarises an adopted success with its BD-rates', () => {
    const summary = attemptSummary(
      stored({
        version: 3,
        assessment: {
          bd_rate: { jpeg: -12.5, x264: 40, x265: null, vp9: null, av1: null, incumbent: -3.25 },
          bd_rate_details: {
            jpeg: noComparison,
            x264: noComparison,
            x265: noComparison,
            vp9: noComparison,
            av1: noComparison,
            incumbent: noComparison,
          },
        },
      }),
    );
    expect(summary).toEqual({
      attemptId: '17',
      code: codec('plain'),
      ok: true,
      stage: 'done',
      bdRateVsIncumbentPct: -3.25,
      bdRateVsJpegPct: -12.5,
      adopted: true,
    });
  });

  it('carries a failure’s category, message and traceback, and omits empty ones', () => {
    const failed = attemptSummary(
      stored({
        ok: false,
        stage: 'smoke',
        category: 'runtime_errors',
        failureMessage: 'ValueError: boom',
        traceback: 'Traceback …',
      }),
    );
    expect(failed).toMatchObject({
      ok: false,
      stage: 'smoke',
      category: 'runtime_errors',
      message: 'ValueError: boom',
      traceback: 'Traceback …',
      bdRateVsIncumbentPct: null,
      bdRateVsJpegPct: null,
      adopted: false,
    });
    const bare = attemptSummary(
      stored({ ok: false, stage: 'generate', category: 'other', failureMessage: '' }),
    );
    expect(bare).not.toHaveProperty('message');
    expect(bare).not.toHaveProperty('traceback');
  });

  it('reads the offline generator’s origin line back, only when it is a JSON object', () => {
    const withOrigin = (line: string): StoredAttempt => stored({ code: `${line}\nimport numpy\n` });
    expect(attemptSummary(withOrigin('# origin: {"transform":"dct","step":4}')).origin).toEqual({
      transform: 'dct',
      step: 4,
    });
    expect(attemptSummary(withOrigin('# origin: {not json}'))).not.toHaveProperty('origin');
    expect(attemptSummary(withOrigin('# origin: [1, 2]'))).not.toHaveProperty('origin');
    // Only the head of the file is searched.
    const late = stored({ code: `${'#\n'.repeat(2500)}# origin: {"late":true}\n` });
    expect(attemptSummary(late)).not.toHaveProperty('origin');
  });
});

describe('rdTable', () => {
  const clips = [clip('a'), clip('b')];
  const metrics = metricsFor(clips.map((c) => clipResult(c, 1, QUALITIES)));

  it('lists the codec’s points only, when there are no anchors', () => {
    const table = rdTable(metrics, null, undefined);
    expect(table).toEqual({
      rows: QUALITIES.map((quality, step) => ({
        codec: 'best',
        setting: `q ${quality.toFixed(2)}`,
        bitrateKbps: 100 * 2 ** step,
        psnrYDb: 31 + 3 * step,
        ssimY: 0.9,
      })),
    });
    expect(table).not.toHaveProperty('bdRatePct');
  });

  it('appends each anchor’s points averaged over the clips, with the BD-rates', () => {
    const base = anchorTable(clips);
    // Clip b's anchors sit 1 dB higher, so the mean is 0.5 dB above clip a's.
    const anchors: AnchorTable = {
      ...base,
      clips: base.clips.map((row) =>
        row.clip === 'a'
          ? row
          : {
              ...row,
              anchors: {
                jpeg: row.anchors.jpeg.map((p) => ({ ...p, psnr_y_db: p.psnr_y_db + 1 })),
                x264: row.anchors.x264.map((p) => ({ ...p, psnr_y_db: p.psnr_y_db + 1 })),
                x265: row.anchors.x265.map((p) => ({ ...p, psnr_y_db: p.psnr_y_db + 1 })),
                vp9: row.anchors.vp9.map((p) => ({ ...p, psnr_y_db: p.psnr_y_db + 1 })),
                av1: row.anchors.av1.map((p) => ({ ...p, psnr_y_db: p.psnr_y_db + 1 })),
              },
            },
      ),
    };
    const table = rdTable(metrics, anchors, { jpeg: -20, incumbent: null });
    expect(table.rows).toHaveLength(4 + 5 * 4);
    expect(table.rows.map((r) => `${r.codec} ${r.setting}`).slice(4)).toEqual([
      'jpeg q 0.20',
      'jpeg q 0.40',
      'jpeg q 0.60',
      'jpeg q 0.80',
      'x264 crf 35',
      'x264 crf 30',
      'x264 crf 25',
      'x264 crf 20',
      'x265 crf 35',
      'x265 crf 30',
      'x265 crf 25',
      'x265 crf 20',
      'vp9 crf 35',
      'vp9 crf 30',
      'vp9 crf 25',
      'vp9 crf 20',
      'av1 crf 35',
      'av1 crf 30',
      'av1 crf 25',
      'av1 crf 20',
    ]);
    expect(table.rows[4]).toEqual({
      codec: 'jpeg',
      setting: 'q 0.20',
      bitrateKbps: 100,
      psnrYDb: 28.5,
      ssimY: 0.8,
    });
    expect(table.rows[15]).toMatchObject({ codec: 'x265', bitrateKbps: 800, psnrYDb: 43.5 });
    expect(table.rows.at(-1)).toMatchObject({ codec: 'av1', bitrateKbps: 800, psnrYDb: 44.5 });
    expect(table.bdRatePct).toEqual({ jpeg: -20, incumbent: null });
  });
});
