// A Lambda execution environment stand-in, run as `node lambda-host.mjs <handler file> <export>` in the
// unzipped artifact with the function's environment and nothing else (no tsx, no repository node_modules).
// It imports the handler once (a cold start) and invokes it for every event the parent sends over IPC,
// like one warm container: { id, event } in, { id, result } or { id, error } out.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [file, name] = process.argv.slice(2);
const loading = import(pathToFileURL(file).href).then((module) => {
  if (typeof module[name] !== 'function') throw new Error(`${file} exports no function ${name}`);
  return module[name];
});

function context(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'offline',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

process.on('message', async ({ id, event, timeoutMs }) => {
  try {
    const handler = await loading;
    const result = await handler(event, context(timeoutMs));
    process.send({ id, result: result ?? null });
  } catch (error) {
    process.send({ id, error: { name: error?.name, message: error?.message, stack: error?.stack } });
  }
});
