"""What the server publishes about itself: ServiceProviderConfig, ResourceTypes and Schemas,
limited to the attributes Courseware keeps."""

from __future__ import annotations

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    Group,
    Meta,
    Patch,
    Required,
    ResourceType,
    ServiceProviderConfig,
    Sort,
    User,
)

from courseware.core.links import page_url
from courseware.scim.services import GROUP_SCHEMA, MAX_RESULTS, USER_SCHEMA

# The attributes kept, and of complex ones the sub-attributes kept.
USER_ATTRIBUTES = {
    "userName": None,
    "name": ("formatted", "givenName", "familyName"),
    "displayName": None,
    "active": None,
    "emails": ("value",),
    "groups": ("value", "$ref", "display", "type"),
}
GROUP_ATTRIBUTES = {"displayName": None, "members": ("value", "$ref", "type")}
# Read by the directory's software in the ServiceProviderConfig, like every SCIM answer: English.
BEARER_DESCRIPTION = "A token an admin issues under Admin › Provisioning, sent as Authorization: Bearer <token>"


def _trimmed(model, keep: dict) -> dict:
    schema = model.to_schema()
    attributes = []
    for attribute in schema.attributes:
        if attribute.name not in keep:
            continue
        subs = keep[attribute.name]
        if subs is not None and attribute.sub_attributes:
            attribute.sub_attributes = [s for s in attribute.sub_attributes if s.name in subs]
        attributes.append(attribute)
    schema.attributes = attributes
    if model is User:
        # Courseware needs an e-mail address for everyone.
        emails = next(a for a in attributes if a.name == "emails")
        emails.required = Required.true
        next(s for s in emails.sub_attributes if s.name == "value").required = Required.true
    schema.meta = Meta(resource_type="Schema", location=page_url("scim.schema", schema_id=schema.id))
    return schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def schemas() -> dict[str, dict]:
    return {USER_SCHEMA: _trimmed(User, USER_ATTRIBUTES), GROUP_SCHEMA: _trimmed(Group, GROUP_ATTRIBUTES)}


def resource_types() -> dict[str, dict]:
    found = {}
    for name, endpoint, schema, description in (
        ("User", "/Users", USER_SCHEMA, "A person's account"),
        ("Group", "/Groups", GROUP_SCHEMA, "A team; its members are its people"),
    ):
        resource_type = ResourceType(
            id=name,
            name=name,
            endpoint=endpoint,
            description=description,
            schema_=schema,
            meta=Meta(resource_type="ResourceType", location=page_url("scim.resource_type", name=name)),
        )
        found[name] = resource_type.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return found


def service_provider_config() -> dict:
    config = ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description=BEARER_DESCRIPTION,
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=page_url("scim.service_provider_config")),
    )
    return config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
