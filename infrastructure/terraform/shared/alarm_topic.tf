# Defined once and linked into every module that creates alarms.

variable "alarm_topic_arn" {
  type        = string
  description = "SNS topic the module's alarms notify (monitoring module output alarm_topic.arn). null creates the alarms without actions, so an unknown topic never changes what is created."
  default     = null
}
