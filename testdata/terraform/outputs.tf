# What the run prints after apply: read by run.sh, not needed by main.tf.
output "recent_tickets_count" {
  value = length(data.huaweicloud_coc_incidents.recent.tickets)
}

output "handled_history_action" {
  value = data.huaweicloud_coc_incident_action_histories.handled.data[0].action
}

output "acted_task_key" {
  value = data.huaweicloud_coc_incident_tasks.acted.data[0].key
}

output "task_id" {
  value = local.task_id
}
