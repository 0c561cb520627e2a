// Jest setup shared by every test file.
//
// aws-local-stepfunctions 3 calls Promise.withResolvers (Node >= 22): the shared polyfill.
import './harness/promise-polyfill';

// Never reach for credentials or the network while synthesizing.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.CDK_DISABLE_VERSION_CHECK = '1';

// aws-cdk-lib (>= 2.262) validates every template at synth, which costs seconds per test file and
// only warns; the templates are linted with cfn-lint in the example test instead.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
