/** The workflows this project registers; the bundle is built from this file. */
export { fanoutWorkflow } from './fanout-workflow';
