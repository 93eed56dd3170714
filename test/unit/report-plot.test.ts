/**
 * The report's RD chart section: an image link to the SVG written next to the Markdown, the
 * chart's notes, or why there is no chart; text from elsewhere cannot break out of its line.
 */
import { describe, expect, it } from 'vitest';
import { renderReportMarkdown } from '../../src/governance/report-markdown.js';
import { report } from './server-fakes.js';

describe('the RD chart in the Markdown report', () => {
  it('links the SVG after the system status, with the chart’s notes', () => {
    const markdown = renderReportMarkdown(report(), {
      ok: true,
      file: 'self_governance_report_20261206T000000000Z_rd.svg',
      caption: 'v2 (attempt 17) against the anchors: luma PSNR against bitrate',
      notes: ['no anchor measured on tree (16x16, 2 frames @ 10 fps)'],
    });
    const lines = markdown.split('\n');
    const heading = lines.indexOf('## Rate–distortion of the best version');
    expect(heading).toBeGreaterThan(lines.indexOf('## System status'));
    expect(heading).toBeLessThan(lines.findIndex((l) => l.startsWith('## Failure analysis')));
    expect(lines[heading + 2]).toBe(
      '![v2 (attempt 17) against the anchors: luma PSNR against bitrate](self_governance_report_20261206T000000000Z_rd.svg)',
    );
    expect(lines).toContain('- no anchor measured on tree (16x16, 2 frames @ 10 fps)');
  });

  it('keeps brackets and line breaks of a caption or reason inside their line', () => {
    const link = renderReportMarkdown(report(), {
      ok: true,
      file: 'x_rd.svg',
      caption: 'v1]\n# injected(evil.svg)',
      notes: ['a\n## heading'],
    });
    expect(link).toContain('![v1 # injected(evil.svg)](x_rd.svg)');
    expect(link.split('\n')).not.toContain('## heading');
    const none = renderReportMarkdown(report(), { ok: false, reason: 'vega failed\n# boom' });
    expect(none).toContain('No chart: vega failed # boom');
    expect(none.split('\n')).not.toContain('# boom');
  });

  it('has no chart section when no chart was asked for', () => {
    expect(renderReportMarkdown(report())).not.toContain('Rate–distortion');
  });
});
