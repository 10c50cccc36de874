variable "create_time_start" {
  type = string
}

variable "create_time_end" {
  type = string
}

resource "huaweicloud_coc_incident" "handled" {
  incident_level        = "level_50"
  is_service_interrupt  = false
  incident_type         = "inc_type_p_security_issues"
  incident_title        = "tf-handled"
  incident_source       = "incident_source_forwarding"
  creator               = "9605b67c741d4553887a3462771107d3"
  incident_assignee     = ["9605b67c741d4553887a3462771107d3"]
  enterprise_project    = ["0"]
  current_cloud_service = ["app-1"]
  incident_description  = "tf-handled"
}

resource "huaweicloud_coc_incident" "acted" {
  incident_level        = "level_50"
  is_service_interrupt  = false
  incident_type         = "inc_type_p_security_issues"
  incident_title        = "tf-acted"
  incident_source       = "incident_source_forwarding"
  creator               = "9605b67c741d4553887a3462771107d3"
  incident_assignee     = ["9605b67c741d4553887a3462771107d3"]
  enterprise_project    = ["0"]
  current_cloud_service = ["app-1"]
  incident_description  = "tf-acted"
}

resource "huaweicloud_coc_incident_handle" "accept" {
  incident_num = huaweicloud_coc_incident.handled.id
  operator     = "9605b67c741d4553887a3462771107d3"
  operate_key  = "acceptedIncident1"
}

data "huaweicloud_coc_incident_tasks" "acted" {
  incident_id = huaweicloud_coc_incident.acted.id
}

locals {
  task_id = [for v in data.huaweicloud_coc_incident_tasks.acted.data[0].operations[*].task_id : v if v != ""][0]
}

resource "huaweicloud_coc_incident_action" "reject" {
  incident_id = huaweicloud_coc_incident.acted.id
  task_id     = local.task_id
  action      = "rejected"
  params = {
    virtual_confirm_comment = "test comment"
  }

  lifecycle {
    ignore_changes = [task_id]
  }
}

data "huaweicloud_coc_incidents" "recent" {
  depends_on = [huaweicloud_coc_incident.handled, huaweicloud_coc_incident.acted]

  contain_sub_ticket = true

  string_filters {
    field    = "create_time"
    operator = ">="
    values   = [var.create_time_start]
    name     = "create_time_start"
  }

  string_filters {
    field    = "create_time"
    operator = "<="
    values   = [var.create_time_end]
    name     = "create_time_end"
  }

  sort_filter {
    field    = "create_time"
    operator = "desc"
    values   = ["create_time"]
    name     = "create_time"
  }
}

data "huaweicloud_coc_incident_action_histories" "handled" {
  depends_on = [huaweicloud_coc_incident_handle.accept]

  incident_id = huaweicloud_coc_incident.handled.id

  sort_filter {
    operator = "desc"
    field    = "start_time"
    name     = "start_time"
    values   = ["start_time"]
  }
}
