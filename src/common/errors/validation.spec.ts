import { getMetadataStorage, IsInt, IsString, validate } from 'class-validator';
import { rememberValidationRules } from './validation';

/** The rules class-validator applies, with the lookups kept per class (validationPipe() turns it on). */
describe('rememberValidationRules', () => {
  class Parent {
    @IsString() name!: unknown;
  }
  class Child extends Parent {
    @IsInt() age!: unknown;
  }
  const failing = async (object: object) => (await validate(object)).map((e) => e.property).sort();
  const child = (fields: Record<string, unknown>) => Object.assign(new Child(), fields);

  beforeAll(() => rememberValidationRules());

  it('applies a class\'s own rules and those it inherits, as class-validator does', async () => {
    expect(await failing(child({ name: 'Melissa', age: 3 }))).toEqual([]);
    expect(await failing(child({ name: 7, age: 'three' }))).toEqual(['age', 'name']);
  });

  it('finds a class\'s rules once and hands the same answer again', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Child, '', false, false);
    expect(storage.getTargetValidationMetadatas(Child, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
    expect(first.map((m) => m.propertyName).sort()).toEqual(['age', 'name']);
  });

  it('forgets what it found when a rule is registered later, even on a parent class', async () => {
    expect(await failing(child({ name: 'Melissa', age: 3, nickname: 5 }))).toEqual([]);
    IsString()(Parent.prototype, 'nickname');
    expect(await failing(child({ name: 'Melissa', age: 3, nickname: 5 }))).toEqual(['nickname']);
  });

  it('is installed once, however often it is called', () => {
    const storage = getMetadataStorage();
    const installed = storage.getTargetValidationMetadatas;
    rememberValidationRules();
    expect(storage.getTargetValidationMetadatas).toBe(installed);
  });
});
