# The AWS provider pointed at vpclab, shared by the terraform_* configurations (each links
# provider.tf here); `endpoint` is the server's URL.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}

variable "endpoint" {
  type = string
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = false
  skip_requesting_account_id  = false
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 2

  endpoints {
    ec2           = var.endpoint
    sts           = var.endpoint
    elbv2         = var.endpoint
    directconnect = var.endpoint
    route53       = var.endpoint
  }
}
