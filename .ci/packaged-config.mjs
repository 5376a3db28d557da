// CI: after `serverless package`, every function's zip holds the sync config at the path its SYNC_CONFIG
// (from the CloudFormation template) names, relative to the zip's root (/var/task in Lambda).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';

const dir = process.argv[2] ?? '.serverless';
const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
if (functions.length === 0) throw new Error('no functions in the template');
for (const { Properties: p } of functions) {
  const zip = p.Code.S3Key.split('/').pop();
  const path = p.Environment.Variables.SYNC_CONFIG;
  const files = unzipSync(new Uint8Array(readFileSync(join(dir, zip))));
  if (!files[path]) throw new Error(`${zip} lacks ${path}, the SYNC_CONFIG of ${p.FunctionName}`);
  JSON.parse(Buffer.from(files[path]).toString('utf8'));
  console.log(`✓ ${zip} holds ${path}`);
}
