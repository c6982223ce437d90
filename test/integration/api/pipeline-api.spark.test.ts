import { runsPythonSuites, warnSkipped } from '../../helpers/glue-python.js';
import { describePipelineApi } from './pipeline-api-spec.js';

warnSkipped('pipeline-api (Spark engine)');
describePipelineApi('spark', { skip: !runsPythonSuites });
