// SPDX-License-Identifier: GPL-2.0-only
/*
 * Registries of models, operations and scenarios.  Each model file
 * exports its tables; this file lists them.  All tables are const.
 * The built-in scenarios are the files of scenarios/, compiled in
 * (scenarios_builtin.h, written by make scenarios).
 */
#include <string.h>

#include "ksim_internal.h"
#include "scenarios_builtin.h"

static const struct ksim_model *const models[] = {
	&ksim_model_mm,
	&ksim_model_toy,
};

static const struct ksim_opdef *const op_tables[] = {
	ksim_mm_ops,
	ksim_toy_ops,
};

static const struct ksim_scenario *const scenario_tables[] = {
	ksim_file_scenarios,
	ksim_mm_scenarios,
	ksim_toy_scenarios,
};

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

const struct ksim_model *ksim_find_model(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_LEN(models); i++)
		if (!strcmp(models[i]->name, name))
			return models[i];
	return NULL;
}

const struct ksim_opdef *ksim_find_op(const char *model, const char *name)
{
	int t;
	const struct ksim_opdef *op;

	for (t = 0; t < ARRAY_LEN(op_tables); t++)
		for (op = op_tables[t]; op->name; op++)
			if (!strcmp(op->name, name) &&
			    !strcmp(op->model, model))
				return op;
	return NULL;
}

static const struct ksim_opdef *ksim_op_at(int i)
{
	int t;
	const struct ksim_opdef *op;

	if (i < 0)
		return NULL;
	for (t = 0; t < ARRAY_LEN(op_tables); t++)
		for (op = op_tables[t]; op->name; op++)
			if (i-- == 0)
				return op;
	return NULL;
}

int ksim_operation_count(void)
{
	int n = 0;

	while (ksim_op_at(n))
		n++;
	return n;
}

const char *ksim_operation_name(int i)
{
	const struct ksim_opdef *op = ksim_op_at(i);

	return op ? op->name : NULL;
}

const char *ksim_operation_usage(int i)
{
	const struct ksim_opdef *op = ksim_op_at(i);

	return op ? op->usage : NULL;
}

const struct ksim_scenario *ksim_scenario_at(int i)
{
	int t;
	const struct ksim_scenario *s;

	if (i < 0)
		return NULL;
	for (t = 0; t < ARRAY_LEN(scenario_tables); t++)
		for (s = scenario_tables[t]; s->name; s++)
			if (i-- == 0)
				return s;
	return NULL;
}

int ksim_scenario_count(void)
{
	int n = 0;

	while (ksim_scenario_at(n))
		n++;
	return n;
}

const char *ksim_scenario_name(int i)
{
	const struct ksim_scenario *s = ksim_scenario_at(i);

	return s ? s->name : NULL;
}

const char *ksim_scenario_summary(int i)
{
	const struct ksim_scenario *s = ksim_scenario_at(i);

	return s ? s->summary : NULL;
}

const char *ksim_scenario_spec(int i)
{
	const struct ksim_scenario *s = ksim_scenario_at(i);

	return s ? s->spec : NULL;
}

int ksim_scenario_find(const char *name)
{
	int i;
	const struct ksim_scenario *s;

	if (!name)
		return KSIM_EINVAL;
	for (i = 0; (s = ksim_scenario_at(i)); i++)
		if (!strcmp(s->name, name))
			return i;
	return KSIM_ENOENT;
}
