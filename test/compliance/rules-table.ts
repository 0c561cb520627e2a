/** The RULES.md table of KmsChecks, generated from the pack's rule definitions (test helper). */
import type { KmsRuleDefinition } from '../../src/compliance/kms-rules';

/** One Markdown row per rule: id, level, what it checks, why, AWS control. */
export function rulesTable(rules: readonly KmsRuleDefinition[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const rows = rules.map(r => `| \`KmsChecks-${r.id}\`${r.granular ? ' `[<finding>]`' : ''} | ${r.level} | ${escape(r.info)} | ${escape(r.explanation)} | ${escape(r.control)} |`);
  return ['| id | level | what it checks | why | AWS control |', '|---|---|---|---|---|', ...rows].join('\n');
}
