// A node:test reporter that writes only "PASSED FAILED" (leaf tests), for .ci/test-web's summary.
export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.data?.details?.type === 'suite') continue;
    if (event.type === 'test:pass' && !event.data.skip && !event.data.todo) passed += 1;
    if (event.type === 'test:fail') failed += 1;
  }
  yield `${passed} ${failed}\n`;
}
