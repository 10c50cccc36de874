package mocktest

import (
	"encoding/json"
	"strings"
)

// HandleBody is a valid HandleCocIncident body on incident num, with
// operator "u". Keys that need a parameter get a valid one:
// commitSolution1 (a config issue, service interrupted), confirm (the
// pseudo-keys "confirm-true" and "confirm-false" pick the result; plain
// "confirm" is true) and incidentChangeLevel1 (to level_20; the pseudo-key
// "incidentChangeLevel1-down" asks for level_50, a de-escalation from the
// default level_30). Other keys get no parameter, as the SDK sends them.
func HandleBody(num, key string) string {
	operateKey, variant, _ := strings.Cut(key, "-")
	var parameter map[string]any
	switch operateKey {
	case "commitSolution1":
		parameter = map[string]any{"mtm_type": "inc_type_p_config_issues", "is_service_interrupt": true, "cause": "c", "solution": "s"}
	case "confirm":
		parameter = map[string]any{"virtual_confirm_result": variant != "false", "virtual_confirm_comment": "checked"}
	case "incidentChangeLevel1":
		level := "level_20"
		if variant == "down" {
			level = "level_50"
		}
		parameter = map[string]any{"virtual_target_level": level}
	}
	return HandleBodyWith(num, operateKey, parameter)
}

// HandleBodyWith is a HandleCocIncident body with the given parameter (nil
// leaves it out, as the SDK does).
func HandleBodyWith(num, operateKey string, parameter map[string]any) string {
	body := map[string]any{"incident_num": num, "operator": "u", "operate_key": operateKey}
	if parameter != nil {
		body["parameter"] = parameter
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// CreateBody is a valid CreateCocIncident body as the official SDK sends
// it (is_service_interrupt as a string), titled title.
func CreateBody(title string) string {
	b, _ := json.Marshal(map[string]any{
		"incident_level": "level_50", "is_service_interrupt": "false", "incident_type": "inc_type_p_security_issues",
		"incident_title": title, "incident_source": "incident_source_forwarding",
		"creator": "9605B67C741D4553887A3462771107D3", "incident_assignee": []string{"9605B67C741D4553887A3462771107D3"},
	})
	return string(b)
}
