/** Helpers shared by the database tests. */
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

/** The four cdk-nag packs the issue names (the library's own KmsChecks pack is tested with its rules). */
export function FOUR_PACKS(): NagPack[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];
}
