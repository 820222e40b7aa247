set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s5.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 1725283.56
124439808 287109.423
EOD
$d1 << EOD
102714 750227.676
124439808 287939.166
EOD
$d2 << EOD
102714 1617070.25
124439808 108357.285
EOD
$d3 << EOD
102714 1954369.4
124439808 30367.7233
EOD
$d4 << EOD
102714 1511747.36
124439808 225500.414
EOD
$d5 << EOD
102714 191761.642
124439808 71685.1498
EOD
$d6 << EOD
102714 203705.909
124439808 69933.7578
EOD
$d7 << EOD
102714 157741.846
124439808 39503.7867
EOD
$d8 << EOD
102714 152491.843
124439808 36276.4353
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d7 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
