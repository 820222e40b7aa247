set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'tiny-gpt2: decode, tpot_ms'
$d0 << EOD
-0.06 0.860422813 0.104704759 1.61614087
0.94 0.0601316903 0.059505527 0.0607578536
1.94 0.109277742 0.10644737 0.112108114
EOD
$d1 << EOD
0 0.0495304194 0.0490494675 0.0500113712
1 0.0515064452 0.051215813 0.0517970774
2 0.084662329 0.0843711856 0.0849534725
EOD
$d2 << EOD
0.06 0.0516076452 0.0513665289 0.0518487614
1.06 0.0523230258 0.0518110102 0.0528350414
2.06 0.0849079226 0.0847656802 0.0850501649
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
