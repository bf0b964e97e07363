export { renderReport } from './render-report.ts';
export { renderDashboard } from './render-dashboard.ts';
export type { DashboardExperiment, DashboardTrial } from './render-dashboard.ts';
export { loadReportModel } from './load-report-model.ts';
export { ENSEMBLE_ORDER, NETWORK_TITLES } from './report-model.ts';
export type {
  EnsembleRow,
  EpochPoint,
  MetricCell,
  ReportModel,
  RoutingPatient,
  StatRow,
  TrialCurve,
} from './report-model.ts';
export { escapeHtml } from './html.ts';
export { formatPaperTables } from './paper-tables.ts';
export type { TableResults } from './paper-tables.ts';
