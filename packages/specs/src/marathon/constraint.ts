import { z } from 'zod';
import { isRegex } from './validation.js';

/**
 * Marathon's placement constraints, written as arrays: `["hostname", "UNIQUE"]`,
 * `["zone", "GROUP_BY", "3"]`, `["rack", "LIKE", "rack-[1-3]"]`.
 */

export const CONSTRAINT_OPERATORS = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'] as const;
export type ConstraintOperator = (typeof CONSTRAINT_OPERATORS)[number];

export type AppConstraint = [field: string, operator: ConstraintOperator] | [field: string, operator: ConstraintOperator, value: string];

// Marathon (SchedulingValidationMessages.MesosLiteralOrFloatValue): IS compares with a
// Mesos text or scalar attribute, so ranges and sets are refused for now.
const MESOS_TEXT_OR_SCALAR = /^[a-zA-Z0-9_/.-]+$/;
const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/**
 * Why a value is wrong for an operator, or undefined when it is right.
 *
 * Marathon: UNIQUE takes no value; CLUSTER an optional one; GROUP_BY an optional
 * integer; MAX_PER an integer; LIKE and UNLIKE a regular expression; IS a Mesos text or
 * scalar. We differ where Marathon accepts nonsense: GROUP_BY and MAX_PER counts must be
 * at least 1 (Marathon takes any Java int, even negative ones), and IS needs its value
 * (Marathon compares with the empty text, which no attribute has). Regular expressions
 * are checked with JavaScript's syntax, which agrees with Java's on what Marathon
 * users write (character classes, alternation, quantifiers).
 */
function valueProblem(operator: ConstraintOperator, value: string | undefined): string | undefined {
  switch (operator) {
    case 'UNIQUE':
      return value === undefined ? undefined : 'UNIQUE takes no value: write ["hostname", "UNIQUE"]';
    case 'CLUSTER':
      return undefined;
    case 'GROUP_BY':
      return value === undefined || POSITIVE_INTEGER.test(value)
        ? undefined
        : `GROUP_BY takes no value or the number of distinct values to spread over (e.g. "3"), not ${JSON.stringify(value)}`;
    case 'MAX_PER':
      return value !== undefined && POSITIVE_INTEGER.test(value)
        ? undefined
        : 'MAX_PER needs the most instances per value, a whole number of at least 1 (e.g. ["rack", "MAX_PER", "2"])';
    case 'LIKE':
    case 'UNLIKE':
      if (value === undefined || value === '') return `${operator} needs a regular expression as its value (e.g. ["hostname", "${operator}", "web-[0-9]+"])`;
      return isRegex(value) ? undefined : `${JSON.stringify(value)} is not a valid regular expression`;
    case 'IS':
      return value !== undefined && MESOS_TEXT_OR_SCALAR.test(value)
        ? undefined
        : 'IS needs a text or number to compare with: letters, digits, "_", "/", "." or "-" (e.g. ["zone", "IS", "a"])';
  }
}

/**
 * One constraint. Operators are read case-insensitively and written upper-case, as
 * Marathon does.
 */
export const AppConstraint = z.array(z.string()).transform((parts, ctx): AppConstraint => {
  const fail = (message: string) => {
    ctx.issues.push({ code: 'custom', message, input: parts });
    return z.NEVER;
  };
  if (parts.length < 2 || parts.length > 3) {
    return fail('a constraint is [field, operator] or [field, operator, value], e.g. ["hostname", "UNIQUE"]');
  }
  const [field, rawOperator, value] = parts as [string, string, string | undefined];
  if (field === '') return fail('the constraint field must not be empty: name an agent attribute or "hostname"');
  const operator = CONSTRAINT_OPERATORS.find((op) => op === rawOperator.toUpperCase());
  if (operator === undefined) {
    return fail(`operator ${JSON.stringify(rawOperator)} is unknown: use one of ${CONSTRAINT_OPERATORS.join(', ')}`);
  }
  const problem = valueProblem(operator, value);
  if (problem !== undefined) return fail(problem);
  return value === undefined ? [field, operator] : [field, operator, value];
});
