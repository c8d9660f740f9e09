// SPDX-License-Identifier: GPL-2.0-only
/* The whole public API as one table, for drivers that dlopen() a build. */
#include "ksim_internal.h"

static const struct ksim_api ksim_api_table = {
	.version = KSIM_API_VERSION,
	.size = sizeof(struct ksim_api),
	.world_create = ksim_world_create,
	.world_create_scenario = ksim_world_create_scenario,
	.world_reset = ksim_world_reset,
	.world_destroy = ksim_world_destroy,
	.last_error = ksim_last_error,
	.world_scenario = ksim_world_scenario,
	.code_id = ksim_code_id,
	.world_set_option = ksim_world_set_option,
	.task_count = ksim_task_count,
	.task_name = ksim_task_name,
	.task_state = ksim_task_state,
	.enabled = ksim_enabled,
	.pending = ksim_pending,
	.step = ksim_step,
	.done = ksim_done,
	.run_token = ksim_run_token,
	.run_array = ksim_run_array,
	.run_random = ksim_run_random,
	.run_round_robin = ksim_run_round_robin,
	.schedule_token = ksim_schedule_token,
	.schedule = ksim_schedule,
	.finding_count = ksim_finding_count,
	.finding_get = ksim_finding_get,
	.failed = ksim_failed,
	.event_count = ksim_event_count,
	.event_get = ksim_event_get,
	.trace_text = ksim_trace_text,
	.stats_get = ksim_stats_get,
	.scenario_count = ksim_scenario_count,
	.scenario_name = ksim_scenario_name,
	.scenario_summary = ksim_scenario_summary,
	.scenario_spec = ksim_scenario_spec,
	.scenario_find = ksim_scenario_find,
	.operation_count = ksim_operation_count,
	.operation_name = ksim_operation_name,
	.operation_usage = ksim_operation_usage,
	.op_kind_name = ksim_op_kind_name,
	.finding_kind_name = ksim_finding_kind_name,
	.bench_roundtrip_ns = ksim_bench_roundtrip_ns,
	.pending_access = ksim_pending_access,
	.finding_brief = ksim_finding_brief,
	.run_pct = ksim_run_pct,
	.run_prefix = ksim_run_prefix,
	.run_last_first = ksim_run_last_first,
	.enabled_log = ksim_enabled_log,
};

const struct ksim_api *ksim_get_api(void)
{
	return &ksim_api_table;
}
