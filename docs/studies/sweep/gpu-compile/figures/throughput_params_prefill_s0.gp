set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 5011.50808
827088 5994.36099
17867008 4507.1898
51475968 2020.7994
124439808 2265.4621
EOD
$d1 << EOD
102714 4417.74438
827088 4327.55651
17867008 1184.12561
51475968 1072.44312
124439808 1286.05405
EOD
plot $d0 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
