variable "alarms" {
  type = map(object({
    name                = string
    description         = string
    namespace           = string
    metric_name         = string
    dimensions          = map(string)
    threshold           = number
    statistic           = optional(string, "Sum")
    comparison_operator = optional(string, "GreaterThanThreshold")
    period              = optional(number, 300)
  }))
  description = "Alarms by a stable key (moved blocks address them by it): full alarm name, what it means for operators, the metric (namespace, metric_name, dimensions, statistic over period seconds) and the threshold it is compared with."

  validation {
    condition     = alltrue([for a in values(var.alarms) : contains(["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"], a.comparison_operator)])
    error_message = "comparison_operator must be GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold."
  }

  validation {
    condition     = alltrue([for a in values(var.alarms) : contains(["Sum", "Average", "Maximum", "Minimum", "SampleCount"], a.statistic)])
    error_message = "statistic must be Sum, Average, Maximum, Minimum or SampleCount."
  }
}
