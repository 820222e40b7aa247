set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_medium (1x64)'
$d0 << EOD
102714 102762.284
124439808 736.474495
EOD
$d1 << EOD
102714 213376.669
124439808 81860.8252
EOD
$d2 << EOD
102714 475653.7
124439808 83030.3086
EOD
$d3 << EOD
102714 362858.758
124439808 45132.3583
EOD
$d4 << EOD
102714 592248.732
124439808 12544.0154
EOD
$d5 << EOD
102714 370181.706
124439808 72199.778
EOD
$d6 << EOD
102714 123486.528
124439808 3055.78281
EOD
$d7 << EOD
102714 53644.299
124439808 17760.3229
EOD
$d8 << EOD
102714 75682.5783
124439808 25257.2317
EOD
$d9 << EOD
102714 41677.1942
124439808 11612.8427
EOD
$d10 << EOD
102714 38862.6763
124439808 10520.6447
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
