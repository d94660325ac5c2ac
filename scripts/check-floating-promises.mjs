#!/usr/bin/env node
// A promise nobody awaits is a bug the type checker does not report: with the store port
// asynchronous, a write left unawaited runs outside its transaction's order (or not at all on a
// network database), and its error is lost. This walks src/ with the project's own type
// checker and fails on every expression statement whose value is a promise that is not awaited,
// not handled in place (`.catch`, two-argument `.then`), not stored, and not marked `void` (on
// purpose: "started, and its outcome handled elsewhere").
import ts from 'typescript';
import { relative } from 'node:path';

const configPath = ts.findConfigFile(process.cwd(), ts.sys.fileExists, 'tsconfig.json');
const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, process.cwd());
const program = ts.createProgram(parsed.fileNames, parsed.options);
const checker = program.getTypeChecker();
const scope = /\/(src|clients\/chat\/src)\//;

const isPromise = (type) => {
  if (type.isUnion()) return type.types.some(isPromise);
  const then = type.getProperty('then');
  return then !== undefined && type.getProperty('catch') !== undefined;
};

/** Handled in place: `.catch(…)`, or `.then(onFulfilled, onRejected)`. */
const handled = (e) =>
  ts.isCallExpression(e) &&
  ts.isPropertyAccessExpression(e.expression) &&
  (e.expression.name.text === 'catch' || (e.expression.name.text === 'then' && e.arguments.length === 2));
const isAssignment = (e) => ts.isBinaryExpression(e) && e.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && e.operatorToken.kind <= ts.SyntaxKind.LastAssignment;

const problems = [];
for (const file of program.getSourceFiles()) {
  if (file.isDeclarationFile || !scope.test(file.fileName) || file.fileName.includes('/dist/')) continue;
  const visit = (node) => {
    if (ts.isExpressionStatement(node)) {
      const e = node.expression;
      const marked = ts.isVoidExpression(e) || ts.isAwaitExpression(e) || handled(e) || isAssignment(e);
      if (!marked && isPromise(checker.getTypeAtLocation(e))) {
        const { line, character } = file.getLineAndCharacterOfPosition(e.getStart());
        problems.push(`${relative(process.cwd(), file.fileName)}:${line + 1}:${character + 1}: a promise is neither awaited nor voided: ${e.getText().slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}
for (const p of problems) console.error(p);
if (problems.length > 0) {
  console.error(`${problems.length} floating promise${problems.length === 1 ? '' : 's'}: await each, or mark one started on purpose with \`void\``);
  process.exit(1);
}
