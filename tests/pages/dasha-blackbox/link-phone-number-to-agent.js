// Source: https://blackbox.dasha.ai/docs/api-reference/sipphonenumbers/link-phone-number-to-agent
// (the page's JavaScript fetch example).
const options = {method: 'PUT', headers: {Authorization: 'Bearer <token>'}};

fetch('https://blackbox.dasha.ai/api/v1/sip-phone-numbers/{id}/agent-link', options)
  .then(res => res.json())
  .then(res => console.log(res))
  .catch(err => console.error(err));
