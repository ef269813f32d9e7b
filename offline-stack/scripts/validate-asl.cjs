// Validates statemachine/*.asl.json with asl-validator after substituting each ${Placeholder}
// with a well-formed Lambda ARN, so ARN and path checks run as they would on the deployed definition.
const fs = require('fs');
const path = require('path');
const validator = require('asl-validator');
const files = process.argv.slice(2);
let failed = false;
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8').replace(/\$\{([A-Za-z0-9]+)\}/g,
      (_, name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`);
  const { isValid, errorsText } = validator(JSON.parse(text), { checkArn: true, checkPaths: true });
  if (isValid) {
    console.log(`asl-validator: ${path.basename(file)} is valid`);
  } else {
    failed = true;
    console.error(`asl-validator: ${path.basename(file)} is INVALID: ${errorsText('\n')}`);
  }
}
process.exit(failed ? 1 : 0);
