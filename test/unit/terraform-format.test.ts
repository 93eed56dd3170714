import { describe, expect, it } from 'vitest';
import { terraformFormatFindings } from '../../scripts/terraform-format.js';

const lines = (...text: string[]): string => `${text.join('\n')}\n`;
const messages = (source: string): string[] =>
  terraformFormatFindings(source).map((finding) => `${finding.line}: ${finding.message}`);

describe('terraformFormatFindings (what terraform fmt would change)', () => {
  it('accepts what terraform fmt writes: nested blocks, aligned runs, multi-line values', () => {
    const source = lines(
      'resource "aws_instance" "worker" {',
      '  ami           = local.ami_id',
      '  instance_type = var.instance_type',
      '  tags = {',
      '    Name = "x"',
      '    Role = "worker"',
      '  }',
      '',
      '  user_data = templatefile("${path.module}/u.tftpl", {',
      '    region = var.region',
      '    a_much_longer_name = "{ not a bracket }"',
      '  })',
      '  # a comment at the block level',
      '  vpc_security_group_ids = [aws_security_group.worker.id]',
      '',
      '  metadata_options {',
      '    http_tokens = "required" # trailing comments are allowed',
      '  }',
      '}',
    );
    // Lines 10 and 11 form one run and must align: the example above is deliberately wrong there.
    expect(messages(source)).toEqual([
      "10: '=' is 1 space(s) after its name, terraform fmt aligns it with 13 (one more than the longest name in the group)",
    ]);
  });

  it('passes a correctly aligned run inside a function call', () => {
    const source = lines(
      'locals {',
      '  x = merge({',
      '    region             = var.region',
      '    a_much_longer_name = "v"',
      '  }, var.extra)',
      '}',
    );
    expect(messages(source)).toEqual([]);
  });

  it('wants the = of consecutive attributes aligned and one space after it', () => {
    const source = lines(
      'variable "x" {',
      '  type = string',
      '  description = "d"',
      '  default     =  "v"',
      '}',
    );
    expect(messages(source)).toEqual([
      "2: '=' is 1 space(s) after its name, terraform fmt aligns it with 8 (one more than the longest name in the group)",
      "4: exactly one space goes after '='",
    ]);
  });

  it('lets a blank line, a comment or a block end an alignment run', () => {
    const source = lines(
      'locals {',
      '  a = 1',
      '',
      '  long_name = 2',
      '  # comment',
      '  b = 3',
      '}',
    );
    expect(messages(source)).toEqual([]);
  });

  it('does not align a line that opens a multi-line value with its neighbours', () => {
    expect(
      messages(lines('locals {', '  a = 1', '  list_of_things = [', '    1,', '  ]', '}')),
    ).toEqual([]);
    expect(
      messages(
        lines('locals {', '  a              = 1', '  list_of_things = [', '    1,', '  ]', '}'),
      ),
    ).toEqual([
      "2: '=' is 14 space(s) after its name, terraform fmt aligns it with 1 (one more than the longest name in the group)",
    ]);
  });

  it('checks the indentation: two spaces a level, one level however many brackets open', () => {
    const source = lines(
      'resource "a" "b" {',
      '    name = "x"',
      '  f = jsonencode({',
      '      k = 1',
      '  })',
      '\tother = 2',
      '}',
    );
    expect(messages(source)).toEqual([
      '2: indented 4 spaces, terraform fmt indents 2',
      '4: indented 6 spaces, terraform fmt indents 4',
      '6: indentation uses a tab; use spaces',
    ]);
  });

  it('flags trailing whitespace and a missing final newline', () => {
    expect(messages('locals {  \n  a = 1\n}')).toEqual([
      '1: trailing whitespace',
      '3: no newline at the end of the file',
    ]);
  });

  it('ignores brackets and = inside strings, comments and comparison operators', () => {
    const source = lines(
      'locals {',
      '  a = "{[(" # ) ] }',
      '  b = var.x == "=" ? 1 : 2',
      '  /* { */',
      '  c = { for k, v in var.m : k => v if v != "" }',
      '}',
    );
    expect(messages(source)).toEqual([]);
  });

  it('leaves heredoc bodies alone', () => {
    const source = lines(
      'locals {',
      '  script = <<-EOT',
      '      indented   = freely  ',
      '    EOT',
      '  b = 1',
      '}',
    );
    expect(messages(source)).toEqual([]);
  });
});
