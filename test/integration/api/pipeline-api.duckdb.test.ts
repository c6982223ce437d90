import { describePipelineApi } from './pipeline-api-spec.js';

describePipelineApi('duckdb');
