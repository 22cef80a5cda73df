// Source: https://blackbox.dasha.ai/docs/api-reference/sipcredentials/create-sip-credential
// (the page's JavaScript fetch example).
const options = {
  method: 'POST',
  headers: {Authorization: 'Bearer <token>', 'Content-Type': 'application/json'},
  body: JSON.stringify({
    server: '<string>',
    domain: null,
    authUser: null,
    authPassword: null,
    transport: 'udp',
    description: null,
    cpsLimit: null,
    cpsKey: null
  })
};

fetch('https://blackbox.dasha.ai/api/v1/sip-credentials', options)
  .then(res => res.json())
  .then(res => console.log(res))
  .catch(err => console.error(err));
