/**
 * The worst-block floor (docs/ARCHITECTURE.md §3 "Worst-block floor"): at every point of every
 * clip, the worst 16×16 luma block (block-psnr.ts) must reach the lower of the point's pooled
 * luma PSNR minus a gap and a fixed level. A codec that keeps the mean while destroying one
 * region falls below it, and is refused with the clip, quality, frame and block as data. Pure.
 */
import { cause, type FailureCause } from './cause.js';
import type { Failure } from './failure.js';
import type { ClipResult } from './results.js';

export interface WorstBlockRule {
  /** The worst block may fall at most this far below its point's pooled luma PSNR... */
  readonly maxGapDb: number;
  /** ...or reach this level, whichever floor is lower. */
  readonly passDb: number;
}

/** The floor of a point whose pooled luma PSNR is `psnrYDb`. */
export function worstBlockFloorDb(psnrYDb: number, rule: WorstBlockRule): number {
  return Math.min(rule.passDb, psnrYDb - rule.maxGapDb);
}

/** The point whose worst block is furthest below (or least above) its floor. */
export interface WorstBlockFacts {
  readonly clip: string;
  readonly quality: number;
  readonly frame: number;
  readonly x: number;
  readonly y: number;
  /** The block's luma PSNR. */
  readonly psnr_y_db: number;
  /** The point's pooled luma PSNR, which sets the floor. */
  readonly point_psnr_y_db: number;
  readonly floor_db: number;
}

/**
 * The point with the smallest margin above its floor, over every point of every clip; null when
 * no point carries the figure (results stored before it was measured).
 */
export function worstBlockFacts(
  clips: readonly ClipResult[],
  rule: WorstBlockRule,
): WorstBlockFacts | null {
  let found: WorstBlockFacts | null = null;
  for (const clip of clips) {
    for (const point of clip.points) {
      // Typed as present, but results stored before the figure existed lack it.
      const at = point.worst_block as typeof point.worst_block | undefined;
      if (typeof point.worst_block_psnr_y_db !== 'number' || at === undefined) return null;
      const floor = worstBlockFloorDb(point.psnr_y_db, rule);
      const facts: WorstBlockFacts = {
        clip: clip.clip,
        quality: point.quality,
        frame: at.frame,
        x: at.x,
        y: at.y,
        psnr_y_db: point.worst_block_psnr_y_db,
        point_psnr_y_db: point.psnr_y_db,
        floor_db: floor,
      };
      if (found === null || facts.psnr_y_db - facts.floor_db < found.psnr_y_db - found.floor_db) {
        found = facts;
      }
    }
  }
  return found;
}

export function passesWorstBlock(facts: WorstBlockFacts): boolean {
  return facts.psnr_y_db >= facts.floor_db;
}

const dB = (value: number): string => `${value.toFixed(2)} dB`;

/** "clip tree frame 3 block (64,32) at quality 0.9: worst-block PSNR-Y 9.10 dB, floor 20.00 dB" */
export function describeWorstBlock(facts: WorstBlockFacts): string {
  return (
    `clip ${facts.clip} frame ${facts.frame} block (${facts.x},${facts.y}) at quality ${facts.quality}: ` +
    `worst-block PSNR-Y ${dB(facts.psnr_y_db)}, floor ${dB(facts.floor_db)}`
  );
}

/** The structured cause of a refusal: everything a fix or a report names, as fields. */
export function worstBlockCause(facts: WorstBlockFacts): FailureCause {
  const round = (value: number): number => Number(value.toFixed(2));
  return cause('quality_floor:worst_block', {
    clip: facts.clip,
    quality: facts.quality,
    frame: facts.frame,
    block_x: facts.x,
    block_y: facts.y,
    psnr_y_db: round(facts.psnr_y_db),
    point_psnr_y_db: round(facts.point_psnr_y_db),
    floor_db: round(facts.floor_db),
  });
}

/** The failure a codec below the floor ends in (category `quality_floor`). */
export function worstBlockFailure(facts: WorstBlockFacts, rule: WorstBlockRule): Failure {
  return {
    category: 'quality_floor',
    message:
      `${describeWorstBlock(facts)} (the point's PSNR-Y is ${dB(facts.point_psnr_y_db)}; a 16×16 ` +
      `block may fall at most ${rule.maxGapDb} dB below it, or must reach ${rule.passDb} dB): the ` +
      'codec destroys part of the picture; every region of every frame must be reconstructed',
    cause: worstBlockCause(facts),
  };
}
