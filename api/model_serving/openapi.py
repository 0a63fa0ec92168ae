"""The model-serving API's OpenAPI document, made exact from its settings and loaded models.

Texts have a maximum length and batches a size (settings); a feature vector has each model's own
length and value ranges, so every version documents its own ``FeaturesInput{V}`` with an example
computed by that model. The handlers enforce the same limits (see ``routers/model_router.py``).
"""

from collections.abc import Callable

from fastapi import FastAPI

from api.common.openapi import OpenApi, component
from api.model_serving.settings import ModelServingSettings

EXAMPLE_TEXT = "I have a dream"


def features_input_name(version: str, batch: bool = False) -> str:
    """The name of a version's own request model for feature vectors."""
    return f"Features{'Batch' if batch else ''}Input{version.upper()}"


def exact_openapi(app: FastAPI, settings: ModelServingSettings) -> Callable[[OpenApi], bool]:
    """What writes the limits into ``app``'s generated document (for ``adjust_openapi``); it
    answers False until the models are loaded."""

    def adjust(schema: OpenApi) -> bool:
        models = getattr(app.state, "models", None)
        if not models:
            return False
        length = {"maxLength": settings.max_text_length}
        batch = {"minItems": 1, "maxItems": settings.max_batch_size}
        component(schema, "TextInput")["properties"]["text"].update(length)
        texts = component(schema, "TextBatchInput")["properties"]["texts"]
        texts.update(batch)
        texts["items"].update(length)
        for version, model in models.items():
            vector = model.feature_vector_schema()
            example = model.text_to_features([EXAMPLE_TEXT])[0]
            single = component(schema, features_input_name(version))["properties"]["features"]
            single.update(vector, examples=[example])
            many = component(schema, features_input_name(version, True))["properties"]["features"]
            many.update(batch, items=vector, examples=[[example]])
        return True

    return adjust
