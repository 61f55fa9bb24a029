import { SetMetadata } from '@nestjs/common';
import type { OperationDoc } from './operation-docs';

export const API_DOC = 'openapi:doc';
export const HIDDEN_FROM_DOCS = 'openapi:hidden';

/** Documents an operation on its handler: summary, description, success schema, examples. */
export const ApiDoc = (doc: OperationDoc): MethodDecorator => SetMetadata(API_DOC, doc);

/** Keeps a route out of `/openapi.json`: the console's own files are not part of the API. */
export const HiddenFromDocs = (): MethodDecorator & ClassDecorator => SetMetadata(HIDDEN_FROM_DOCS, true);
