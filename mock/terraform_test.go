package mock_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock"
)

// The Terraform provider (huaweicloud/huaweicloud at a0345b8) decodes every
// reply into interface{} (numbers are float64) and writes each field it
// reads into a typed schema attribute: a TypeString takes only a Go string,
// a TypeBool only a bool, a TypeInt a number; anything else fails the read
// (a panic under acceptance tests). These tests send the provider's own
// request bodies (../shared/reference/terraform.md) and check each field
// the provider reads, and the fields its acceptance tests require set.

// tfRead decodes a reply as the provider does.
func tfRead(t *testing.T, r mock.Reply) map[string]any {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return body
}

// tfType checks that each named field of obj is absent, null, or of the
// attribute type the provider's schema gives it; set lists the fields its
// acceptance tests require to be non-empty.
func tfType(t *testing.T, what string, obj map[string]any, kind string, fields []string, set ...string) {
	t.Helper()
	for _, f := range fields {
		v, ok := obj[f]
		if !ok || v == nil {
			if containsField(set, f) {
				t.Errorf("%s.%s: absent, and the acceptance test requires it set", what, f)
			}
			continue
		}
		good := false
		switch kind {
		case "string":
			s, isString := v.(string)
			good = isString && (s != "" || !containsField(set, f))
		case "bool":
			_, good = v.(bool)
		case "int":
			_, good = v.(float64)
		case "list":
			_, good = v.([]any)
		}
		if !good {
			t.Errorf("%s.%s = %#v: the provider's Type%s attribute cannot take it", what, f, v, kind)
		}
	}
}

func containsField(list []string, f string) bool {
	for _, v := range list {
		if v == f {
			return true
		}
	}
	return false
}

func TestTerraformResourcesAndDataSourcesReadWhatTheyNeed(t *testing.T) {
	for _, scenario := range []string{"default", "lifecycle"} {
		t.Run(scenario, func(t *testing.T) {
			eng := newEngine(t, mock.WithScenario(scenario))
			tf := func(method, path, body string) mock.Reply {
				return do(eng, method, path, body, "Content-Type: application/json", "Accept: application/json")
			}
			now := time.Now()

			// huaweicloud_coc_incident: create (testIncident_basic), then Read.
			created := tfRead(t, tf("POST", "/v1/external/incident/create",
				`{"creator":"9605b67c741d4553887a3462771107d3","current_cloud_service":["app-1"],"enterprise_project":["0"],`+
					`"incident_assignee":["9605b67c741d4553887a3462771107d3"],"incident_description":"tf-test","incident_level":"level_50",`+
					`"incident_source":"incident_source_forwarding","incident_title":"tf-test","incident_type":"inc_type_p_security_issues",`+
					`"is_service_interrupt":false,"region":[]}`+"\n"))
			num, ok := created["data"].(map[string]any)["incident_num"].(string)
			if !ok || num == "" {
				t.Fatalf("data.incident_num must be a string: %v", created)
			}
			d := tfRead(t, tf("GET", "/v1/external/incident/"+num, ""))["data"].(map[string]any)
			tfType(t, "detail", d, "string", []string{"incident_level", "incident_type", "incident_title", "incident_description",
				"incident_source", "incident_ownership", "assignee_scene", "assignee_role", "warroom_id", "status", "creator"},
				"incident_level", "incident_type", "incident_title", "incident_description", "incident_source", "status", "creator")
			tfType(t, "detail", d, "bool", []string{"is_service_interrupt"}, "is_service_interrupt")
			tfType(t, "detail", d, "int", []string{"start_time", "handle_time", "create_time"}, "create_time")
			tfType(t, "detail", d, "list", []string{"region", "enterprise_project", "current_cloud_service", "incident_assignee", "enum_data_list"})
			// Optional, not Computed, non-updatable: what the config did not
			// set must not come back, or every later plan fails.
			for _, f := range []string{"start_time", "region", "incident_ownership", "assignee_scene", "assignee_role"} {
				if v, ok := d[f]; ok && v != nil && fmt.Sprint(v) != "[]" && v != "" && v != float64(0) {
					t.Errorf("detail.%s = %v: the configuration did not set it (drift: %s can't be updated)", f, v, f)
				}
			}
			enums, _ := d["enum_data_list"].([]any)
			if len(enums) == 0 {
				t.Fatal("enum_data_list is empty; the acceptance test reads enum_data_list.0.*")
			}
			tfType(t, "enum_data_list.0", enums[0].(map[string]any), "string", []string{"filed_key", "enum_key", "name_zh", "name_en"},
				"filed_key", "enum_key", "name_zh", "name_en")
			again := tf("GET", "/v1/external/incident/"+num, "")
			if first := tf("GET", "/v1/external/incident/"+num, ""); string(again.Body) != string(first.Body) {
				t.Fatal("two reads differ: import-verify would fail")
			}

			// data huaweicloud_coc_incident_action_histories, right after create.
			h := tfRead(t, tf("POST", "/v2/incidents/"+num+"/histories",
				`{"incident_id":"`+num+`","sort_filter":{"field":"start_time","name":"start_time","operator":"desc","values":["start_time"]}}`+"\n"))
			info, _ := h["data"].(map[string]any)["info"].([]any)
			if len(info) == 0 {
				t.Fatal("no history entry on a new incident: sort_filter_is_useful would be false")
			}
			entry := info[0].(map[string]any)
			tfType(t, "info.0", entry, "string", []string{"action", "action_name_zh", "action_name_en", "operator", "status", "start_time", "stop_time", "comment"},
				"action", "action_name_zh", "action_name_en", "operator", "status", "start_time")
			if e, _ := entry["enum_data_list"].([]any); len(e) == 0 {
				t.Error("info.0.enum_data_list is empty")
			} else {
				tfType(t, "info.0.enum_data_list.0", e[0].(map[string]any), "string", []string{"prop_id", "biz_id", "name_zh", "name_en"}, "prop_id", "biz_id", "name_zh", "name_en")
			}

			// data huaweicloud_coc_incidents (its acceptance test's window).
			from, to := now.Add(-10*time.Minute).UnixMilli(), now.Add(10*time.Minute).UnixMilli()
			l := tfRead(t, tf("POST", "/v2/incidents/list", fmt.Sprintf(`{"contain_all":true,"contain_sub_ticket":true,"contain_total":true,`+
				`"sort_filter":{"field":"create_time","name":"create_time","operator":"desc","values":["create_time"]},`+
				`"string_filters":[{"field":"create_time","name":"create_time_start","operator":">=","values":["%d"]},`+
				`{"field":"create_time","name":"create_time_end","operator":"<=","values":["%d"]}]}`+"\n", from, to)))
			tickets, _ := l["data"].(map[string]any)["tickets"].([]any)
			if len(tickets) != 1 {
				t.Fatalf("tickets: %v", l)
			}
			tk := tickets[0].(map[string]any)
			tfType(t, "tickets.0", tk, "string", []string{"current_cloud_service_id", "level_id", "mtm_region", "source_id", "forward_rule_id",
				"enterprise_project_id", "mtm_type", "title", "description", "ticket_id", "is_service_interrupt", "work_flow_status", "phase",
				"assignee", "creator", "operator", "update_time", "create_time", "start_time", "handle_time", "incident_ownership"},
				"current_cloud_service_id", "level_id", "source_id", "enterprise_project_id", "mtm_type", "title", "description", "ticket_id",
				"is_service_interrupt", "work_flow_status", "assignee", "creator", "operator", "update_time", "create_time")
			if e, _ := tk["enum_data_list"].([]any); len(e) == 0 {
				t.Error("tickets.0.enum_data_list is empty")
			} else {
				tfType(t, "tickets.0.enum_data_list.0", e[0].(map[string]any), "string", []string{"prop_id", "biz_id", "name_zh", "name_en"}, "prop_id", "biz_id", "name_zh", "name_en")
			}

			// data huaweicloud_coc_incident_tasks, then huaweicloud_coc_incident_action
			// with the first non-empty task_id and action "rejected".
			tasksReply := tfRead(t, tf("GET", "/v2/incidents/"+num+"/tasks", ""))
			nodes, ok := tasksReply["data"].([]any)
			if !ok || len(nodes) == 0 {
				t.Fatalf("data must be a non-empty array: %v", tasksReply)
			}
			node := nodes[0].(map[string]any)
			tfType(t, "data.0", node, "string", []string{"type", "key", "name", "state"}, "type", "key", "name", "state")
			ops, _ := node["operations"].([]any)
			if len(ops) == 0 {
				t.Fatal("data.0.operations is empty")
			}
			op0 := ops[0].(map[string]any)
			tfType(t, "data.0.operations.0", op0, "string", []string{"task_id", "key"}, "task_id", "key")
			task := op0["task_id"].(string)
			r := tf("POST", "/v2/incidents/"+num+"/actions",
				`{"action":"rejected","incident_id":"`+num+`","params":{"virtual_confirm_comment":"test comment"},"task_id":"`+task+`"}`+"\n")
			if r.Status != 200 {
				t.Fatalf("the action resource counts 200/201/202 as done: %d %s", r.Status, r.Body)
			}
			// The post-apply refresh reads the tasks again and indexes [0]
			// of data[0].operations' task ids: there must still be one.
			again2, _ := tfRead(t, tf("GET", "/v2/incidents/"+num+"/tasks", ""))["data"].([]any)
			if len(again2) == 0 || len(again2[0].(map[string]any)["operations"].([]any)) == 0 {
				t.Fatalf("after rejected, the tasks data source has no task id: %v", again2)
			}

			// huaweicloud_coc_incident_handle on a second incident: parameter {} always.
			num2 := create(t, eng, nil)
			if r := tf("POST", "/v1/external/incident/handle", `{"incident_num":"`+num2+`","operate_key":"acceptedIncident1","operator":"u","parameter":{}}`+"\n"); r.Status != 200 {
				t.Fatalf("handle: %d %s", r.Status, r.Body)
			}
			if !strings.Contains(string(tf("GET", "/v1/external/incident/"+num2, "").Body), `"status":"INCIDENT_STATUS_ACKNOWLEDGED"`) {
				t.Fatal("the handle resource's accept did not move the incident")
			}
		})
	}
}
