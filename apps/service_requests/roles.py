"""Extra permissions per role. Organization-department and committee staff (the community/street workers
who run the pipeline) already hold every permission of this app, including the full requester contact
(reveal_requester_pii); leaders and inspectors only look, masked. Branch secretaries register and handle
requests, post micro-wishes and record 双报到, but see requester data masked."""

ROLE_PERMISSIONS = {
    "branch_secretary": [
        "service_requests.view_servicecategory",
        "service_requests.view_servicerequest",
        "service_requests.add_servicerequest",
        "service_requests.change_servicerequest",
        "service_requests.view_servicestep",
        "service_requests.view_servicestatmonth",
        "service_requests.view_microwish",
        "service_requests.add_microwish",
        "service_requests.change_microwish",
        "service_requests.view_communityregistration",
        "service_requests.add_communityregistration",
        "service_requests.change_communityregistration",
        "service_requests.view_servicepost",
        "service_requests.view_servicerecord",
        "service_requests.add_servicerecord",
    ],
}
